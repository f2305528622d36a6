import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { ChatRoom } from './chat-room.entity';

/** A member of a room (the traveller or the guide) and how far they have read. */
@Entity('chat_room_members')
@Index('UQ_chat_room_members_room_user', ['roomId', 'userId'], { unique: true })
@Index('IDX_chat_room_members_user', ['userId', 'roomId'])
export class ChatRoomMember {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'room_id', type: 'int' })
  roomId: number;

  @ManyToOne(() => ChatRoom, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id' })
  room?: ChatRoom;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** The newest message id this member has read; only ever moves forward. */
  @Column({ name: 'last_read_message_id', type: 'int', nullable: true })
  lastReadMessageId: number | null;
}
